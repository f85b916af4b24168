def hello(who):
    return f"hello, {who}"
