.class public Lcom/example/sdkapp/MainActivity;
.super Landroid/app/Activity;
.source "MainActivity.java"

# The app's own code: starts the embedded SDK, reads the last known location itself.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 2
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-static {p0}, Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;)V
    invoke-direct {p0}, Lcom/example/sdkapp/MainActivity;->readLocation()Landroid/location/Location;
    return-void
.end method

.method private readLocation()Landroid/location/Location;
    .registers 3
    const-string v0, "location"
    invoke-virtual {p0, v0}, Lcom/example/sdkapp/MainActivity;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/location/LocationManager;
    const-string v1, "gps"
    invoke-virtual {v0, v1}, Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;
    move-result-object v0
    return-object v0
.end method

.method public static configUrl()Ljava/lang/String;
    .registers 1
    const-string v0, "https://api.sdkapp.example.com/v1/config"
    return-object v0
.end method

.method public static privacyPolicyUrl()Ljava/lang/String;
    .registers 1
    const-string v0, "https://www.sdkapp.example.com/privacy-policy.html"
    return-object v0
.end method
