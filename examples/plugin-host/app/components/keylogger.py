# An untrusted component: the host never lets a plugin load it.
def start():
    return "recording"
