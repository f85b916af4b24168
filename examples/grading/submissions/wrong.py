# Only sums the first line.
print(sum(int(tok) for tok in input().split()))
