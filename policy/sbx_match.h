/* sbx_match.h: the small judgements every layer makes the same way, written
 * once so the hook, the supervisor and --learn cannot disagree: is a path
 * under a root, which program a bare name starts on the sandbox's PATH, is
 * that program on process.exec_allow, is a byte sequence UTF-8. No
 * allocation: the hook calls them for events it may then ignore. */
#ifndef SBX_MATCH_H
#define SBX_MATCH_H

#include <stdbool.h>
#include <stddef.h>

struct sbx_policy;

/* True when path is root or below it. Both absolute and normalised; "/"
 * holds every absolute path. A plain string comparison: resolve first. */
bool sbx_path_under(const char *path, const char *root);
/* True when path is under one of roots (NULL-terminated; NULL: none). */
bool sbx_path_under_any(const char *path, char *const *roots);

/* The PATH inside the sandbox: python.env's PATH, else "/usr/bin:/bin". */
const char *sbx_policy_path_env(const struct sbx_policy *p);

/* What a bare program name (no '/') starts, as exec*p would find it: the
 * first "DIR/name" on path_env (NULL: none) that is executable, into out.
 * 0, or -ENOENT when there is none. */
int sbx_exec_search(const char *path_env, const char *name, char *out, size_t cap);

/* May the program exe run under p? True when process.exec_allow is empty
 * (any program), else when an entry is exe as named or real, where it
 * really is (resolved by the caller, who knows from where). */
bool sbx_policy_exec_allowed(const struct sbx_policy *p, const char *exe, const char *real);

/* The length of the valid UTF-8 sequence at s (at most n bytes, n > 0):
 * shortest form, no surrogates, at most U+10FFFF; 0 when it is not one. */
size_t sbx_utf8_seq(const unsigned char *s, size_t n);

/* Levenshtein distance of the first la bytes of a and b, for "did you
 * mean" (a key of the policy, an option of the CLI); 99 past 62 bytes. */
size_t sbx_edit_distance(const char *a, size_t la, const char *b);

#endif
