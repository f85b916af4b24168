"""Leave a tree deeper than PATH_MAX, built with rename, with mode 000
directories and NAME_MAX names, in the private tmp: a path-based clean-up
(nftw) gives up and the directory stays on the host.

{
  "policy": {"version": 1, "filesystem": {"tmp": true}},
  "setup": {"dirs": ["OUTSIDE/tmp"], "env": {"TMPDIR": "OUTSIDE/tmp"}},
  "oracle": {"empty": "OUTSIDE/tmp"},
  "expect": {"status": "ok",
             "recorded": false,
             "why": "the private tmp is a tmpfs in the sandbox's mount namespace (docs/confinement.md): the tree dies with it; without a mount namespace the descriptor-based clean-up removes it (unit test test_cleanup)"}
}
"""
import os
import tempfile

top = tempfile.mkdtemp()
name = "d" * 250
os.chdir(top)
for part in ("a", "b"):
    os.mkdir(part)
    fd = os.open(part, os.O_RDONLY)
    for _ in range(12):
        os.mkdir(name, dir_fd=fd)
        nfd = os.open(name, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    os.mkdir("locked", dir_fd=fd)
    os.close(os.open("n" * 255, os.O_CREAT | os.O_WRONLY, dir_fd=fd))
    os.chmod("locked", 0, dir_fd=fd)
    if part == "a":
        bottom = fd
    else:
        os.close(fd)
os.rename("b", "b", src_dir_fd=os.open(".", os.O_RDONLY), dst_dir_fd=bottom)
print("depth beyond", 24 * 251, "bytes in", top)
