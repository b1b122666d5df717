.class public Lcom/example/startapp/StartApp;
.super Landroid/app/Application;
.source "StartApp.java"

# The Application: what it does runs at process start, before any screen or consent dialog.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method

.method public onCreate()V
    .registers 4
    invoke-super {p0}, Landroid/app/Application;->onCreate()V
    # an SDK initialised at once: Application -> SDK init -> PI read
    invoke-static {p0}, Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;)V
    # a static field: Config.<clinit> runs on this first use
    sget-object v0, Lcom/example/startapp/Config;->TAG:Ljava/lang/String;
    # a thread
    new-instance v0, Ljava/lang/Thread;
    new-instance v1, Lcom/example/startapp/StartTask;
    invoke-direct {v1}, Lcom/example/startapp/StartTask;-><init>()V
    invoke-direct {v0, v1}, Ljava/lang/Thread;-><init>(Ljava/lang/Runnable;)V
    invoke-virtual {v0}, Ljava/lang/Thread;->start()V
    # a Handler on the main looper
    new-instance v0, Landroid/os/Handler;
    invoke-static {}, Landroid/os/Looper;->getMainLooper()Landroid/os/Looper;
    move-result-object v1
    invoke-direct {v0, v1}, Landroid/os/Handler;-><init>(Landroid/os/Looper;)V
    new-instance v1, Lcom/example/startapp/PostTask;
    invoke-direct {v1}, Lcom/example/startapp/PostTask;-><init>()V
    invoke-virtual {v0, v1}, Landroid/os/Handler;->post(Ljava/lang/Runnable;)Z
    # an executor
    invoke-static {}, Ljava/util/concurrent/Executors;->newSingleThreadExecutor()Ljava/util/concurrent/ExecutorService;
    move-result-object v0
    new-instance v1, Lcom/example/startapp/ExecTask;
    invoke-direct {v1}, Lcom/example/startapp/ExecTask;-><init>()V
    invoke-interface {v0, v1}, Ljava/util/concurrent/ExecutorService;->execute(Ljava/lang/Runnable;)V
    # an interface call: both implementations are possible targets
    new-instance v0, Lcom/example/startapp/TrackerA;
    invoke-direct {v0}, Lcom/example/startapp/TrackerA;-><init>()V
    invoke-interface {v0}, Lcom/example/startapp/Tracker;->track()V
    invoke-direct {p0}, Lcom/example/startapp/StartApp;->initAfterConsent()V
    return-void
.end method

# JPush starts only when the user has agreed: a saved consent flag read before the call.
.method private initAfterConsent()V
    .registers 4
    const-string v0, "settings"
    const/4 v1, 0x0
    invoke-virtual {p0, v0, v1}, Lcom/example/startapp/StartApp;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    move-result-object v0
    const-string v2, "privacy_agreed"
    invoke-interface {v0, v2, v1}, Landroid/content/SharedPreferences;->getBoolean(Ljava/lang/String;Z)Z
    move-result v0
    if-eqz v0, :skip
    invoke-static {p0}, Lcn/jpush/android/api/JPushInterface;->init(Landroid/content/Context;)V
    :skip
    return-void
.end method
