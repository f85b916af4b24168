/* test_llaudit.c: Landlock's audit records as the supervisor parses them
 * (supervisor/llaudit.c): the kernel's own lines, taken from Linux 6.18,
 * parse; hex-encoded paths decode; and every hostile variant (a path
 * with a NUL, a repeated key, a quote the kernel would have escaped, a
 * number out of range, a cut line, a record of another kind) is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sbx_llaudit.h"

static struct sbx_lla_rec rec;

static int parse(int type, const char *text)
{
	return sbx_lla_parse(type, text, strlen(text), &rec);
}

static void kernel_lines(void **state)
{
	(void)state;
	assert_int_equal(parse(SBX_AUDIT_LANDLOCK_ACCESS, "audit(1796544458.789:467): domain=15f205b50 "
			       "blockers=fs.read_file path=\"/etc/hostname\" dev=\"vda\" ino=733"), 0);
	assert_int_equal(rec.kind, SBX_LLA_ACCESS);
	assert_int_equal(rec.serial, 467);
	assert_true(rec.domain == 0x15f205b50ULL);
	assert_string_equal(rec.blockers, "fs.read_file");
	assert_string_equal(rec.path, "/etc/hostname");
	assert_int_equal(parse(SBX_AUDIT_LANDLOCK_DOMAIN, "audit(1796544458.789:467): domain=15f205b50 "
			       "status=allocated mode=enforcing pid=28977 uid=0 exe=\"/usr/bin/python3.11\" "
			       "comm=\"python3\""), 0);
	assert_int_equal(rec.kind, SBX_LLA_ALLOCATED);
	assert_int_equal(rec.pid, 28977);
	assert_int_equal(parse(SBX_AUDIT_LANDLOCK_DOMAIN, "audit(1796544458.841:468): domain=15f205b50 "
			       "status=deallocated denials=1"), 0);
	assert_int_equal(rec.kind, SBX_LLA_DEALLOCATED);
	assert_int_equal(rec.denials, 1);
	assert_int_equal(parse(SBX_AUDIT_SYSCALL, "audit(1796544458.789:467): arch=c000003e syscall=257 "
			       "success=no exit=-13 a0=ffffff9c items=0 ppid=1 pid=2 auid=4294967295 "
			       "comm=\"python3\" exe=\"/usr/bin/python3.11\" key=(null)"), 0);
	assert_int_equal(rec.syscall, 257);
	assert_int_equal(rec.pid, 2);		/* pid=, not ppid= */
	/* A trailing NUL, as some payloads end. */
	static const char with_nul[] = "audit(1.2:3): domain=a status=deallocated denials=2";
	assert_int_equal(sbx_lla_parse(SBX_AUDIT_LANDLOCK_DOMAIN, with_nul, sizeof(with_nul), &rec), 0);
	/* Several blockers; no path (an fd the kernel names no path for). */
	assert_int_equal(parse(SBX_AUDIT_LANDLOCK_ACCESS, "audit(1.2:3): domain=a blockers=fs.read_file,fs.read_dir"), 0);
	assert_string_equal(rec.path, "");
}

/* The kernel hex-encodes a path with a quote, a space, a control or a
 * non-ASCII byte: decoded back to the bytes the program chose. */
static void hex_paths(void **state)
{
	(void)state;
	/* "/tmp/a b\"c" */
	assert_int_equal(parse(SBX_AUDIT_LANDLOCK_ACCESS, "audit(1.2:3): domain=a blockers=fs.read_file "
			       "path=2F746D702F6120622263 dev=\"vda\" ino=1"), 0);
	assert_string_equal(rec.path, "/tmp/a b\"c");
	/* A newline and a byte that is not UTF-8 decode as they are. */
	assert_int_equal(parse(SBX_AUDIT_LANDLOCK_ACCESS, "audit(1.2:3): domain=a blockers=fs.read_file "
			       "path=2F0AFF"), 0);
	assert_memory_equal(rec.path, "/\n\xff", 4);
}

static void hostile(void **state)
{
	static const char *const access_bad[] = {
		"",
		"audit(1.2:3)",
		"audit(1.2:3): ",				/* no domain, no blockers */
		"audit(1.2:3): domain=a",
		"audit(1.2:3): blockers=fs.read_file",
		"audit(x.2:3): domain=a blockers=fs.read_file",
		"audit(1.2:99999999999999999999999): domain=a blockers=fs.read_file",
		"audit(1.2:3): domain=a domain=b blockers=fs.read_file",	/* repeated key */
		"audit(1.2:3): domain=zz blockers=fs.read_file",
		"audit(1.2:3): domain=10000000000000000 blockers=fs.read_file",	/* > 64 bits */
		"audit(1.2:3): domain=a blockers=fs.read_file path=\"/a b\"",	/* space: the kernel hex-encodes */
		"audit(1.2:3): domain=a blockers=fs.read_file path=\"/a",	/* cut */
		"audit(1.2:3): domain=a blockers=fs.read_file path=2F00",	/* a NUL inside */
		"audit(1.2:3): domain=a blockers=fs.read_file path=2F7",	/* odd length */
		"audit(1.2:3): domain=a blockers=fs.read_file path=2G",
		"audit(1.2:3): domain=a blockers=fs.read_file path=\"/x\" path=\"/y\"",
		"audit(1.2:3): domain=a blockers=FS.READ",
		"audit(1.2:3): domain=a blockers=\"fs.read_file\"",
		"audit(1.2:3): domain=a  blockers=fs.read_file",		/* two spaces */
		"audit(1.2:3): domain=a blockers=fs.read_file status=allocated",
		"audit(1.2:3): =a blockers=fs.read_file",
	};
	char big[SBX_LLA_TEXT_MAX + 64];

	(void)state;
	for (size_t i = 0; i < sizeof(access_bad) / sizeof(access_bad[0]); i++)
		assert_int_equal(parse(SBX_AUDIT_LANDLOCK_ACCESS, access_bad[i]), -22);
	assert_int_equal(sbx_lla_parse(SBX_AUDIT_LANDLOCK_ACCESS, "audit(1.2:3): domain=a\0 blockers=fs.read_file",
				       45, &rec), -22);
	assert_int_equal(parse(SBX_AUDIT_LANDLOCK_DOMAIN, "audit(1.2:3): domain=a status=allocated"), -22);
	assert_int_equal(parse(SBX_AUDIT_LANDLOCK_DOMAIN, "audit(1.2:3): domain=a status=allocated pid=0"), -22);
	assert_int_equal(parse(SBX_AUDIT_LANDLOCK_DOMAIN, "audit(1.2:3): domain=a status=allocated pid=2147483648"), -22);
	assert_int_equal(parse(SBX_AUDIT_LANDLOCK_DOMAIN, "audit(1.2:3): domain=a status=freed denials=1"), -22);
	assert_int_equal(parse(SBX_AUDIT_SYSCALL, "audit(1.2:3): arch=c000003e"), -22);
	/* Found by fuzz_llaudit: a record's kind is its type's, whatever
	 * its fields; a path only in an ACCESS record. */
	assert_int_equal(parse(SBX_AUDIT_SYSCALL, "audit(1.2:3): syscall=257 domain=a status=allocated pid=1"), -22);
	assert_int_equal(parse(SBX_AUDIT_LANDLOCK_DOMAIN, "audit(1.2:3): domain=a status=allocated pid=1 "
			       "path=\"/x\""), -22);
	assert_int_equal(parse(1400, "audit(1.2:3): domain=a blockers=fs.read_file"), -22);
	/* A path longer than the buffer, and a line longer than any record. */
	memset(big, 'A', sizeof(big));
	memcpy(big, "audit(1.2:3): domain=a blockers=fs.read_file path=", 51);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(parse(SBX_AUDIT_LANDLOCK_ACCESS, big), -22);
	memcpy(big + 51, "\"/", 2);
	memset(big + 53, 'a', 4200);
	memcpy(big + 4253, "\"", 2);
	assert_int_equal(parse(SBX_AUDIT_LANDLOCK_ACCESS, big), -22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kernel_lines),
		cmocka_unit_test(hex_paths),
		cmocka_unit_test(hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
