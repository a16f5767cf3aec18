"""heartbeat=1 and a client idle for 5 s while pika runs its I/O loop: both sides send heartbeats, so neither
drops the connection (pika closes one whose server stays silent), and it still works afterwards."""
import json, sys
import pika

connection = pika.BlockingConnection(pika.URLParameters(sys.argv[1] + "?heartbeat=1"))
channel = connection.channel()
connection.sleep(5)
channel.queue_declare("after-idle")
print(json.dumps({"open": connection.is_open, "heartbeat": connection._impl.params.heartbeat}))
connection.close()
