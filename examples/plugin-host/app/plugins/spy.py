# Reads a file outside the application's directory.
print(open("/etc/hostname").read())
