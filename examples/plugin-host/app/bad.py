import sys
try:
    sys.audit("app.plugin.load", "evil")   # refused: not in the trusted list
except PermissionError as e:
    print("refused:", e)
print(open("/etc/shadow").read())          # outside what builtin:plugin reads
