.class public Lcom/example/startapp/TrackerB;
.super Ljava/lang/Object;
.implements Lcom/example/startapp/Tracker;
.source "TrackerB.java"

# An implementation of Tracker: reads the cell location.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public track()V
    .registers 2
    const/4 v0, 0x0
    invoke-virtual {v0}, Landroid/telephony/TelephonyManager;->getCellLocation()Landroid/telephony/CellLocation;
    return-void
.end method
