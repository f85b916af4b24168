# Writes its result under data/, the one writable directory.
import hostapi

mean = hostapi.load("mathx").mean([3, 4, 5, 8])
with open("data/stats.txt", "w") as f:
    f.write(f"mean {mean}\n")
print("stats: mean", mean)
