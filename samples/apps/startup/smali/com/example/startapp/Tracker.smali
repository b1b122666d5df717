.class public interface abstract Lcom/example/startapp/Tracker;
.super Ljava/lang/Object;
.source "Tracker.java"

# Called through the interface from StartApp.onCreate: class-hierarchy analysis gives both
# implementations as targets (a fan-out of two lowers the confidence of the chain).

.method public abstract track()V
.end method
