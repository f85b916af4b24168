# Loads a component the host does not trust: PermissionError, not caught.
import hostapi

hostapi.load("keylogger").start()
