.class public Lcom/example/policyapp/App;
.super Landroid/app/Application;
.source "App.java"

# The Application class: starts JPush when the process starts, before any consent dialog.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method

.method public onCreate()V
    .registers 1
    invoke-super {p0}, Landroid/app/Application;->onCreate()V
    invoke-static {p0}, Lcn/jpush/android/api/JPushInterface;->init(Landroid/content/Context;)V
    return-void
.end method
