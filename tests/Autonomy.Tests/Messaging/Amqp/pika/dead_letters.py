"""basic.nack with requeue=False sends the message to the queue's dead-letter exchange, with an x-death header."""
import json, sys, time
import pika

connection = pika.BlockingConnection(pika.URLParameters(sys.argv[1]))
channel = connection.channel()
channel.confirm_delivery()
channel.exchange_declare("dlx", "fanout", durable=True)
channel.queue_declare("dead", durable=True)
channel.queue_bind("dead", "dlx")
channel.queue_declare("orders", durable=True, arguments={"x-dead-letter-exchange": "dlx"})
channel.basic_publish("", "orders", b"bad order", pika.BasicProperties(delivery_mode=2, message_id="m1"))
method, properties, body = channel.basic_get("orders")
channel.basic_nack(method.delivery_tag, requeue=False)
# Dead-lettering happens beside the nack, as on RabbitMQ: the message reaches the other queue soon after, not with it.
deadline = time.time() + 10
method = None
while method is None and time.time() < deadline:
    method, properties, body = channel.basic_get("dead", auto_ack=True)
    if method is None:
        connection.sleep(0.05)
death = properties.headers["x-death"][0]
out = {
    "body": body.decode(),
    "message_id": properties.message_id,
    "x-death": [death["queue"], death["reason"], death["count"], death["exchange"], death["routing-keys"]],
    "orders": channel.queue_declare("orders", passive=True).method.message_count,
}
connection.close()
print(json.dumps(out))
