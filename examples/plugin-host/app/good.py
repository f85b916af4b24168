import sys
sys.audit("app.plugin.load", "trusted")    # a component the host trusts
print("good plugin done")
