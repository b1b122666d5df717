.class public Lcom/umeng/wrapdemo/DemoApp;
.super Landroid/app/Application;
.source "DemoApp.java"

# The demo's own Application: under the vendor namespace, but the app's code.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method
