"""tx: a publish and an ack take effect at commit, and neither at rollback."""
import json, sys
import pika

connection = pika.BlockingConnection(pika.URLParameters(sys.argv[1]))
channel = connection.channel()
channel.queue_declare("ledger", durable=True)
channel.tx_select()
channel.basic_publish("", "ledger", b"rolled back", pika.BasicProperties(delivery_mode=2))
channel.tx_rollback()
channel.basic_publish("", "ledger", b"committed", pika.BasicProperties(delivery_mode=2))
before = channel.queue_declare("ledger", passive=True).method.message_count
channel.tx_commit()
out = {"before_commit": before, "after_commit": channel.queue_declare("ledger", passive=True).method.message_count}

# An ack rolled back is forgotten: the message is still held, and goes back when the channel closes.
taker = connection.channel()
taker.tx_select()
method, properties, body = taker.basic_get("ledger")
out["body"] = body.decode()
taker.basic_ack(method.delivery_tag)
taker.tx_rollback()
taker.close()
method, properties, body = channel.basic_get("ledger")
out["redelivered"] = method.redelivered
channel.basic_ack(method.delivery_tag)
channel.tx_commit()
out["after_ack_commit"] = channel.queue_declare("ledger", passive=True).method.message_count
connection.close()
print(json.dumps(out))
