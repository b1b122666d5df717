.class public Lcom/umeng/commonsdk/internal/DeviceInfo;
.super Ljava/lang/Object;
.source "DeviceInfo.java"

# Reads IMEI, ANDROID_ID and the installed-app list, as analytics SDKs did at start-up.
# collect() has switch and array payloads in the middle of its code, so a decoder that does not
# skip payload pseudo-instructions loses its alignment and misses the calls after them.

.method public static collect(Landroid/content/Context;)V
    .registers 4
    const/4 v0, 0x2
    packed-switch v0, :pswitch_data
    goto :after_switch
    :pswitch_1
    nop
    :pswitch_2
    nop
    :after_switch
    const/4 v1, 0x3
    new-array v1, v1, [I
    fill-array-data v1, :array_data
    sparse-switch v0, :sparse_data
    goto :work
    :sparse_1
    nop
    goto :work
    :pswitch_data
    .packed-switch 0x1
        :pswitch_1
        :pswitch_2
    .end packed-switch
    :array_data
    .array-data 4
        0x6e
        0x71
        0x1a
    .end array-data
    :sparse_data
    .sparse-switch
        0x64 -> :sparse_1
        0x7fff -> :sparse_1
    .end sparse-switch
    :work
    invoke-static {p0}, Lcom/umeng/commonsdk/internal/DeviceInfo;->imei(Landroid/content/Context;)Ljava/lang/String;
    invoke-static {p0}, Lcom/umeng/commonsdk/internal/DeviceInfo;->androidId(Landroid/content/Context;)Ljava/lang/String;
    invoke-static {p0}, Lcom/umeng/commonsdk/internal/DeviceInfo;->installedApps(Landroid/content/Context;)Ljava/util/List;
    invoke-static {}, Lcom/umeng/commonsdk/internal/DeviceInfo;->upload()V
    return-void
.end method

.method public static imei(Landroid/content/Context;)Ljava/lang/String;
    .registers 2
    const-string v0, "phone"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/telephony/TelephonyManager;
    invoke-virtual {v0}, Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method public static androidId(Landroid/content/Context;)Ljava/lang/String;
    .registers 3
    invoke-virtual {p0}, Landroid/content/Context;->getContentResolver()Landroid/content/ContentResolver;
    move-result-object v0
    const-string v1, "android_id"
    invoke-static {v0, v1}, Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method public static installedApps(Landroid/content/Context;)Ljava/util/List;
    .registers 3
    invoke-virtual {p0}, Landroid/content/Context;->getPackageManager()Landroid/content/pm/PackageManager;
    move-result-object v0
    const/4 v1, 0x0
    invoke-virtual {v0, v1}, Landroid/content/pm/PackageManager;->getInstalledPackages(I)Ljava/util/List;
    move-result-object v0
    return-object v0
.end method

.method public static upload()V
    .registers 2
    const-string v0, "https://alog.umeng.com/app_logs"
    const-string v1, "http://log.sdkapp.example.com/collect"
    return-void
.end method
