import sys

numbers = sys.stdin.read().split()
# Waits for standard input to be closed, which nobody does: it is at its
# end, not closed.
while not sys.stdin.closed:
    pass
print(sum(int(tok) for tok in numbers))
