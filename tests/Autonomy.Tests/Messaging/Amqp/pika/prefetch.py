"""basic.qos prefetch_count=10 with manual acks: never more than 10 unacknowledged deliveries, the next ones
once those are acknowledged, all in publish order."""
import json, sys, time
import pika

connection = pika.BlockingConnection(pika.URLParameters(sys.argv[1]))
channel = connection.channel()
channel.confirm_delivery()
channel.queue_declare("work", durable=True)
for i in range(25):
    channel.basic_publish("", "work", f"job {i}".encode(), pika.BasicProperties(delivery_mode=2))
pending, bodies = [], []


def received(ch, method, properties, body):
    pending.append(method.delivery_tag)
    bodies.append(body.decode())


channel.basic_qos(prefetch_count=10)
channel.basic_consume("work", on_message_callback=received)


def window(expected):
    # Reads until the expected deliveries arrived, then half a second more: one too many would show there.
    deadline = time.time() + 10
    while len(pending) < expected and time.time() < deadline:
        connection.process_data_events(time_limit=0.1)
    connection.process_data_events(time_limit=0.5)
    held = len(pending)
    channel.basic_ack(pending[-1], multiple=True)
    pending.clear()
    return held


windows = [window(10), window(10), window(5)]
left = channel.queue_declare("work", passive=True).method.message_count
connection.close()
print(json.dumps({"windows": windows, "in_order": bodies == [f"job {i}" for i in range(25)], "left": left}))
