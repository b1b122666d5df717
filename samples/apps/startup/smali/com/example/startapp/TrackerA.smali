.class public Lcom/example/startapp/TrackerA;
.super Ljava/lang/Object;
.implements Lcom/example/startapp/Tracker;
.source "TrackerA.java"

# An implementation of Tracker: reads nothing.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public track()V
    .registers 2

    return-void
.end method
