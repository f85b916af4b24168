import hostapi

print(hostapi.load("greeting").hello("plugin host"))
