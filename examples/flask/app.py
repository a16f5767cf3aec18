"""The article's Flask service: answers / and /health on the port it is given, and sends messages through the
broker at MESSAGE_QUEUE_URL: POST /messages publishes one, a consumer thread keeps what arrives, GET /messages
shows it."""
import configparser
import json
import os
import sys
import threading
import time
import urllib.parse
import urllib.request

import pika
import pika.exceptions
from flask import Flask, jsonify, request


class ConfigCenter:
    """This service's namespace in Autonomy's config center, kept current by a background thread.

    Each read is a blocking query: the server answers as soon as the namespace changes (or after the
    wait, with nothing new), so `autonomy config set web GREETING ...` is seen at once, without a
    restart. Outside Autonomy (no AUTONOMY_URL) it stays empty.
    """

    def __init__(self):
        self.values = {}
        url, token, service = (os.environ.get(name) for name in ("AUTONOMY_URL", "AUTONOMY_TOKEN", "AUTONOMY_SERVICE"))
        if not (url and token and service):
            return
        self._url = f"{url}/v1/config/{urllib.parse.quote(service, safe='')}"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._revision = None
        try:
            self._read(timeout=5)
        except (OSError, ValueError, KeyError):
            pass  # the thread keeps trying
        threading.Thread(target=self._follow, name="config-center", daemon=True).start()

    def get(self, key, default=None):
        return self.values.get(key, default)

    def _read(self, timeout):
        query = "" if self._revision is None else f"?index={self._revision}&wait=30s"
        request = urllib.request.Request(self._url + query, headers=self._headers)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.load(response)
        # A new dict, swapped in whole: a request never sees half an update.
        self.values = {entry["key"]: entry["value"] for entry in body["entries"]}
        self._revision = body["revision"]

    def _follow(self):
        delay = 0.5
        while True:
            try:
                self._read(timeout=45)
                delay = 0.5
            except (OSError, ValueError, KeyError) as error:
                if delay == 0.5:
                    print(f"config center: {error}; trying again", file=sys.stderr, flush=True)
                time.sleep(delay)
                delay = min(delay * 2, 30)


class Messages:
    """Messages through an AMQP 0-9-1 broker, with nothing but its URL: Autonomy gives this service its own vhost
    there as MESSAGE_QUEUE_URL (on the embedded broker or on RabbitMQ, the same form). Without it, as under Docker,
    the URL is the one of the compose file's `messagequeue` service, the rabbitmq image with its defaults.

    Each message is published persistent and confirmed: POST /messages answers only once the broker holds it.
    A thread consumes the queue and keeps what arrives, acknowledging each message once it is kept.
    """

    QUEUE = "messages"

    def __init__(self):
        self.url = os.environ.get("MESSAGE_QUEUE_URL") or "amqp://guest:guest@messagequeue:5672/%2F"
        self.received = []
        self._lock = threading.Lock()
        threading.Thread(target=self._consume, name="consumer", daemon=True).start()

    def publish(self, text):
        # A connection per message: a pika connection belongs to one thread, and Flask's request threads come and go.
        connection = pika.BlockingConnection(pika.URLParameters(self.url))
        try:
            channel = connection.channel()
            channel.confirm_delivery()
            channel.queue_declare(self.QUEUE, durable=True)
            properties = pika.BasicProperties(delivery_mode=2, content_type="text/plain")
            # delivery_mode 2: kept on disk. mandatory: a message no queue takes is an error, not a silent loss.
            channel.basic_publish("", self.QUEUE, text.encode(), properties, mandatory=True)
        finally:
            connection.close()

    def kept(self):
        with self._lock:
            return list(self.received)

    def _consume(self):
        delay = 0.5
        while True:
            try:
                connection = pika.BlockingConnection(pika.URLParameters(self.url))
                channel = connection.channel()
                channel.queue_declare(self.QUEUE, durable=True)
                channel.basic_qos(prefetch_count=10)
                channel.basic_consume(self.QUEUE, self._received)
                print(f"consuming {self.QUEUE}", flush=True)
                delay = 0.5
                channel.start_consuming()
            except (pika.exceptions.AMQPError, OSError) as error:
                print(f"broker: {error!r}; connecting again in {delay} s", file=sys.stderr, flush=True)
                time.sleep(delay)
                delay = min(delay * 2, 30)

    def _received(self, channel, method, properties, body):
        with self._lock:
            self.received.append(body.decode("utf-8", "replace"))
            del self.received[:-100]  # the last hundred are enough to show
        channel.basic_ack(method.delivery_tag)


app = Flask(__name__)

settings = configparser.ConfigParser()
# FLASK_CONFIG names the rendered config; beside the app is the file it is rendered from.
settings.read([os.path.join(os.path.dirname(os.path.abspath(__file__)), "flask.cfg"), os.environ.get("FLASK_CONFIG", "")])
config_center = ConfigCenter()
messages = Messages()


@app.route("/")
def index():
    # The config center's GREETING, when it has one, wins over the file's.
    return jsonify(greeting=config_center.get("GREETING", settings["DEFAULT"].get("GREETING", "Hello")))


@app.post("/messages")
def publish():
    text = request.get_data(as_text=True)
    if not text:
        return jsonify(error="send the message as the request's body"), 400
    try:
        messages.publish(text)
    except (pika.exceptions.AMQPError, OSError) as error:
        return jsonify(error=f"the broker did not take the message: {error!r}"), 503
    return jsonify(published=text), 201


@app.get("/messages")
def received():
    return jsonify(received=messages.kept())


@app.route("/health")
def health():
    return jsonify(status="ok")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8080")))
