# Tries an untrusted component and carries on without it.
import hostapi

try:
    hostapi.load("keylogger")
except PermissionError as e:
    print("careful: going on without keylogger:", e)
print(hostapi.load("greeting").hello("careful"))
