/* Strata's build options for dropbear (read after default_options.h). */

/* Keys only: base-files gives root an empty password, and a server that
 * accepted passwords would let anyone in. */
#define DROPBEAR_SVR_PASSWORD_AUTH 0

/* The multi-call binary lives in /usr/bin; scp and dbclient find it there. */
#define DROPBEAR_PATH_SSH_PROGRAM "/usr/bin/dbclient"
#define DEFAULT_PATH "/usr/sbin:/usr/bin:/sbin:/bin"
