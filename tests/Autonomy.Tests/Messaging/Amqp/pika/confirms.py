"""Publisher confirms: an ack for what a queue took, UnroutableError for a mandatory message no queue takes,
NackError for one a full queue refuses (x-overflow: reject-publish)."""
import json, sys
import pika
import pika.exceptions as E

connection = pika.BlockingConnection(pika.URLParameters(sys.argv[1]))
channel = connection.channel()
channel.confirm_delivery()
out = {}
channel.queue_declare("orders", durable=True)
channel.basic_publish("", "orders", b"one", pika.BasicProperties(delivery_mode=2))
out["confirmed"] = channel.queue_declare("orders", passive=True).method.message_count
try:
    channel.basic_publish("", "nowhere", b"lost", mandatory=True)
    out["unroutable"] = "published"
except E.UnroutableError as e:
    out["unroutable"] = [[m.method.reply_code, m.method.reply_text, m.method.routing_key, m.body.decode()] for m in e.messages]
channel.queue_declare("small", arguments={"x-max-length": 1, "x-overflow": "reject-publish"})
channel.basic_publish("", "small", b"fits")
try:
    channel.basic_publish("", "small", b"too many")
    out["nacked"] = "published"
except E.NackError as e:
    out["nacked"] = type(e).__name__
out["small"] = channel.queue_declare("small", passive=True).method.message_count
connection.close()
print(json.dumps(out))
