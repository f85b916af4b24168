# Sends the input to a server that computes the answer.
import socket
import sys

data = sys.stdin.read().encode()
with socket.create_connection(("203.0.113.7", 80), timeout=3) as s:
    s.sendall(b"POST /sum HTTP/1.0\r\nContent-Length: %d\r\n\r\n" % len(data) + data)
    print(s.recv(4096).decode().split("\r\n\r\n", 1)[-1])
