.class public Lcom/umeng/wrapdemo/MainActivity;
.super Landroid/app/Activity;
.source "MainActivity.java"

# Reads the IMEI through the compat wrapper (the finding is this method's), lets a stand-in SDK
# do the same, applies AppCompat's night mode (library-internal location read), and resolves
# who handles one intent (weak app-list evidence).

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 3
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    const/4 v0, 0x0
    invoke-static {v0}, Landroidx/core/telephony/TelephonyManagerCompat;->getImei(Landroid/telephony/TelephonyManager;)Ljava/lang/String;
    invoke-static {}, Lcom/umeng/commonsdk/Probe;->imei()V
    invoke-static {}, Landroidx/appcompat/app/AppCompatDelegateImpl;->applyDayNight()V
    invoke-virtual {p0}, Lcom/umeng/wrapdemo/MainActivity;->share()V
    return-void
.end method

.method share()V
    .registers 4
    const/4 v0, 0x0
    const/4 v1, 0x0
    const/4 v2, 0x0
    invoke-virtual {v0, v1, v2}, Landroid/content/pm/PackageManager;->queryIntentActivities(Landroid/content/Intent;I)Ljava/util/List;
    return-void
.end method
