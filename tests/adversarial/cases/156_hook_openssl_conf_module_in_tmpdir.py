"""Write a shared object and an OpenSSL configuration that loads it as a
provider into TMPDIR, point OPENSSL_CONF there and import hashlib: OpenSSL
dlopens the object, whose constructor could remove the audit hook (no
ctypes, no extension import).

{
  "policy": {"version": 1, "filesystem": {"tmp": true, "read": ["OUTSIDE/lib.so"]}},
  "args": ["OUTSIDE/lib.so"],
  "setup": {"build": {"OUTSIDE/lib.so": "#include <stdio.h>\n__attribute__((constructor)) static void c(void) { puts(\"ESCAPED: OpenSSL loaded the program's object\"); fflush(stdout); }\nint OSSL_provider_init(void) { return 0; }\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "recorded": false,
             "why": "the private tmp is mounted noexec: the kernel refuses OpenSSL's mmap(PROT_EXEC) of the object (EPERM), a refusal no layer observes (docs/confinement.md)"}
}
"""
import os
import sys
import tempfile

d = tempfile.mkdtemp()
so = os.path.join(d, "p.so")
with open(sys.argv[1], "rb") as src, open(so, "wb") as dst:
    dst.write(src.read())
conf = os.path.join(d, "openssl.cnf")
with open(conf, "w") as f:
    f.write("openssl_conf = init\n[init]\nproviders = provs\n[provs]\nx = xsect\n"
            "[xsect]\nmodule = %s\nactivate = 1\n" % so)
os.environ["OPENSSL_CONF"] = conf
import hashlib  # noqa: E402
print(hashlib.sha256(b"x").hexdigest()[:8])
