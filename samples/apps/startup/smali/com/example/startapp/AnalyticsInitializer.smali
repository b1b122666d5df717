.class public Lcom/example/startapp/AnalyticsInitializer;
.super Ljava/lang/Object;
.implements Landroidx/startup/Initializer;
.source "AnalyticsInitializer.java"

# An androidx.startup initializer named in the InitializationProvider's meta-data: its create()
# runs at process start. Reads the last known location.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public create(Landroid/content/Context;)Ljava/lang/Object;
    .registers 4
    const/4 v0, 0x0
    const-string v1, "gps"
    invoke-virtual {v0, v1}, Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;
    move-result-object v0
    return-object v0
.end method
