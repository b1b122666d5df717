.class public Lcom/example/policyapp/MainActivity;
.super Landroid/app/Activity;
.source "MainActivity.java"

# The app's own code: starts Umeng and Bugly (JPush starts in App), shows the bundled policy in a WebView and queries the
# contacts provider (which its policy says it never does).

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 2
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-static {p0}, Lcom/umeng/analytics/MobclickAgent;->init(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/tencent/bugly/crashreport/CrashReport;->initCrashReport(Landroid/content/Context;)V
    invoke-direct {p0}, Lcom/example/policyapp/MainActivity;->readContacts()V
    return-void
.end method

.method private readContacts()V
    .registers 8
    invoke-virtual {p0}, Lcom/example/policyapp/MainActivity;->getContentResolver()Landroid/content/ContentResolver;
    move-result-object v0
    const-string v1, "content://com.android.contacts/contacts"
    invoke-static {v1}, Landroid/net/Uri;->parse(Ljava/lang/String;)Landroid/net/Uri;
    move-result-object v1
    const/4 v2, 0x0
    const/4 v3, 0x0
    const/4 v4, 0x0
    const/4 v5, 0x0
    invoke-virtual/range {v0 .. v5}, Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    return-void
.end method

.method public static policyUrl()Ljava/lang/String;
    .registers 1
    const-string v0, "file:///android_asset/privacy_policy.html"
    return-object v0
.end method
