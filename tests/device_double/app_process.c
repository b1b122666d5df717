/* The device double's app process: what zygote gives an Android app, for a JVM program.
 *
 * On Android an app process is forked from zygote with the runtime (ART) already created, so a
 * debugger or Frida attaching to a freshly spawned app finds a live VM before any app code
 * runs (frameworks/base/core/java/com/android/internal/os/ZygoteInit.java and
 * RuntimeInit.java, android14-release). Here the HotSpot VM (JDK 17's libjvm) is created in an
 * ELF constructor, before main(), on its own thread with an 8 MB stack (HotSpot refuses the
 * primordial thread's small stack), so Frida's Java bridge sees `Java.available` at once.
 *
 * The process is named after its package as zygote names app processes
 * (Process.setArgV0 / prctl(PR_SET_NAME) in ActivityThread.handleBindApplication): argv[0] is
 * the package (the double execs it so, hence /proc/PID/cmdline and toybox `pidof PKG`), and
 * the thread name is set here.
 *
 * Environment (set by tests/device_double/device.py launch_app):
 *   APP_CLASSPATH   the program's classpath          APP_MAIN  its main class (a.b.C)
 *   APP_JVM_OPTIONS JVM options, one per line (-Dhttp.proxyHost=..., -Dandroid.app.package=...)
 *   APP_DEBUG_DIR   set when started for a debugger (`am start -D`, or Frida's spawn): the
 *                   process makes the fifo APP_DEBUG_DIR/<pid> (its pid in the device) and waits
 *                   before any app code until something is written to it - as an app started
 *                   with -D waits in ActivityThread for the debugger - at most 300 s, then exits.
 * The main class is run unmodified: main(String[]) with no arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_OPTIONS 64
#define DEBUG_WAIT_MS (300 * 1000)

static JavaVM *vm;
static int vm_status = -1;

static void *create_vm(void *unused) {
  (void)unused;
  static char classpath[8192];
  static char options_text[16384];
  JavaVMOption options[MAX_OPTIONS];
  int n = 0;
  const char *cp = getenv("APP_CLASSPATH");
  snprintf(classpath, sizeof classpath, "-Djava.class.path=%s", cp ? cp : ".");
  options[n++].optionString = classpath;
  const char *extra = getenv("APP_JVM_OPTIONS");
  if (extra) {
    snprintf(options_text, sizeof options_text, "%s", extra);
    for (char *line = strtok(options_text, "\n"); line && n < MAX_OPTIONS;
         line = strtok(NULL, "\n"))
      if (*line) options[n++].optionString = line;
  }
  JavaVMInitArgs args = {.version = JNI_VERSION_1_8, .nOptions = n, .options = options,
                         .ignoreUnrecognized = JNI_FALSE};
  JNIEnv *env;
  vm_status = JNI_CreateJavaVM(&vm, (void **)&env, &args);
  if (vm_status == JNI_OK) (*vm)->DetachCurrentThread(vm);
  return NULL;
}

__attribute__((constructor)) static void zygote(void) {
  if (!getenv("APP_MAIN")) return; /* not started as an app process */
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 8 << 20);
  pthread_t thread;
  if (pthread_create(&thread, &attr, create_vm, NULL) == 0) pthread_join(thread, NULL);
}

/* Blocks until the debugger (here: whoever resumes the spawn) writes to our fifo. */
static int wait_for_debugger(const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%d", dir, (int)getpid());
  unlink(path);
  if (mkfifo(path, 0600) != 0) {
    fprintf(stderr, "app_process: mkfifo %s: %s\n", path, strerror(errno));
    return -1;
  }
  /* O_RDWR: never blocks on open and never sees a hang-up while no writer is there */
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    unlink(path);
    return -1;
  }
  struct pollfd p = {.fd = fd, .events = POLLIN};
  int r;
  do r = poll(&p, 1, DEBUG_WAIT_MS);
  while (r < 0 && errno == EINTR);
  unlink(path);
  close(fd);
  if (r == 0) {
    fprintf(stderr, "app_process: nobody resumed this process within %d s\n",
            DEBUG_WAIT_MS / 1000);
    return -1;
  }
  return r > 0 ? 0 : -1;
}

int main(int argc, char **argv) {
  (void)argc;
  const char *main_class = getenv("APP_MAIN");
  if (!main_class) {
    fprintf(stderr, "app_process: APP_MAIN not set\n");
    return 64;
  }
  if (vm_status != JNI_OK) {
    fprintf(stderr, "app_process: the Java VM could not be created (%d)\n", vm_status);
    return 70;
  }
  prctl(PR_SET_NAME, argv[0], 0, 0, 0); /* the kernel keeps the first 15 bytes */
  const char *debug_dir = getenv("APP_DEBUG_DIR");
  if (debug_dir && *debug_dir && wait_for_debugger(debug_dir) != 0) return 75;
  JNIEnv *env;
  if ((*vm)->AttachCurrentThread(vm, (void **)&env, NULL) != JNI_OK) return 70;
  char *name = strdup(main_class);
  for (char *p = name; *p; p++)
    if (*p == '.') *p = '/';
  int status = 0;
  jclass cls = (*env)->FindClass(env, name);
  jmethodID entry = cls ? (*env)->GetStaticMethodID(env, cls, "main", "([Ljava/lang/String;)V")
                        : NULL;
  if (entry) {
    jclass string = (*env)->FindClass(env, "java/lang/String");
    jobjectArray no_args = (*env)->NewObjectArray(env, 0, string, NULL);
    (*env)->CallStaticVoidMethod(env, cls, entry, no_args);
  }
  if ((*env)->ExceptionCheck(env)) {
    (*env)->ExceptionDescribe(env); /* an uncaught exception: the app crashed */
    status = 1;
  }
  (*vm)->DetachCurrentThread(vm);
  (*vm)->DestroyJavaVM(vm); /* waits for the program's other non-daemon threads */
  return status;
}
