/* SPDX-License-Identifier: MIT */
/* Which crypto library the linked libsrtp2 was built with (bridge_srtp_builtin_backend()).
 * Decided once per process from what is actually loaded, not from headers: Debian 12's
 * libsrtp2 uses NSS and is up to 5x slower than an OpenSSL build (design/performance.md),
 * so operators must be able to see it. Parley normally replaces those types with its own
 * (srtp-openssl.c); this still names what libsrtp would fall back to.
 *
 * Method: find the loaded ELF object that holds srtp_protect (dl_iterate_phdr) and read its
 * own DT_NEEDED list: libnss3 / libcrypto / libwolfssl / libmbedcrypto. The process loads
 * libcrypto anyway for DTLS, so looking at the whole process would be wrong; libsrtp2's own
 * dependencies are what counts. When libsrtp2 is linked statically (srtp_protect lives in the
 * executable, whose dependencies include our own libcrypto) or names none of those, ask
 * libsrtp itself: its own AES-ICM cipher type (the exported symbol, not whatever is in its
 * kernel now) carries a description naming the backend ("... using NSS", "... using
 * openssl"). Thread-safe (computed under g_once). */
#include "bridge/srtp/srtp.h"

#include <dlfcn.h>
#include <link.h>
#include <srtp2/cipher.h>
#include <srtp2/srtp.h>
#include <string.h>

typedef struct {
    ElfW(Addr) addr;    /* an address inside libsrtp2's code */
    gboolean found;     /* the object holding it was seen */
    gboolean is_main;   /* ... and it is the executable itself (static link) */
    const char *result; /* backend named by its DT_NEEDED, or NULL */
} Probe;

static const struct {
    const char *soname_prefix;
    const char *backend;
} needed_map[] = {
    {"libnss3.", "nss"},
    {"libcrypto.", "openssl"},
    {"libwolfssl.", "wolfssl"},
    {"libmbedcrypto.", "mbedtls"},
};

static gboolean object_contains(const struct dl_phdr_info *info, ElfW(Addr) a)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        ElfW(Addr) start = info->dlpi_addr + ph->p_vaddr;
        if (a >= start && a - start < ph->p_memsz)
            return TRUE;
    }
    return FALSE;
}

/* The dynamic loader relocates DT_STRTAB in place on most targets (x86-64, aarch64) but not
 * on all; accept whichever reading lands inside the object. */
static const char *strtab_of(const struct dl_phdr_info *info, ElfW(Addr) d_ptr)
{
    if (object_contains(info, d_ptr))
        return (const char *)d_ptr;
    if (object_contains(info, info->dlpi_addr + d_ptr))
        return (const char *)(info->dlpi_addr + d_ptr);
    return NULL;
}

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    Probe *pr = data;
    if (!object_contains(info, pr->addr))
        return 0;
    pr->found = TRUE;
    pr->is_main = info->dlpi_name == NULL || info->dlpi_name[0] == '\0';

    const ElfW(Dyn) *dyn = NULL;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    if (dyn == NULL)
        return 1;
    const char *strtab = NULL;
    ElfW(Xword) strsz = 0;
    for (const ElfW(Dyn) *d = dyn; d->d_tag != DT_NULL; d++) {
        if (d->d_tag == DT_STRTAB)
            strtab = strtab_of(info, d->d_un.d_ptr);
        else if (d->d_tag == DT_STRSZ)
            strsz = d->d_un.d_val;
    }
    if (strtab == NULL || strsz == 0)
        return 1;
    for (const ElfW(Dyn) *d = dyn; d->d_tag != DT_NULL; d++) {
        if (d->d_tag != DT_NEEDED || d->d_un.d_val >= strsz)
            continue;
        const char *name = strtab + d->d_un.d_val;
        for (gsize i = 0; i < G_N_ELEMENTS(needed_map); i++)
            if (g_str_has_prefix(name, needed_map[i].soname_prefix))
                pr->result = needed_map[i].backend;
    }
    return 1;
}

/* libsrtp's AES-128-ICM cipher type; its description names the backend. Looked up at run
 * time because the symbol is exported but not declared in the public headers. */
static const char *backend_from_cipher_description(void)
{
    const srtp_cipher_type_t *ct = dlsym(RTLD_DEFAULT, "srtp_aes_icm_128");
    if (ct == NULL || ct->description == NULL)
        return NULL;
    g_autofree char *d = g_ascii_strdown(ct->description, -1);
    if (strstr(d, "nss") != NULL)
        return "nss";
    if (strstr(d, "openssl") != NULL)
        return "openssl";
    if (strstr(d, "wolfssl") != NULL)
        return "wolfssl";
    if (strstr(d, "mbedtls") != NULL)
        return "mbedtls";
    return "builtin";
}

static gpointer detect(gpointer unused)
{
    Probe pr = {.addr = (ElfW(Addr))(gpointer)srtp_protect};
    dl_iterate_phdr(phdr_cb, &pr);
    if (pr.found && !pr.is_main && pr.result != NULL)
        return (gpointer)pr.result;
    const char *d = backend_from_cipher_description();
    return (gpointer)(d != NULL ? d : "builtin");
}

const char *bridge_srtp_builtin_backend(void)
{
    static GOnce once = G_ONCE_INIT;
    return g_once(&once, detect, NULL);
}
