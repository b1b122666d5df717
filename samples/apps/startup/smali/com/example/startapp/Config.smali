.class public Lcom/example/startapp/Config;
.super Ljava/lang/Object;
.source "Config.java"

# Its static initialiser runs on the first use of TAG (from StartApp.onCreate): reads the serial.

.field public static TAG:Ljava/lang/String;

.method static constructor <clinit>()V
    .registers 1
    invoke-static {}, Landroid/os/Build;->getSerial()Ljava/lang/String;
    move-result-object v0
    sput-object v0, Lcom/example/startapp/Config;->TAG:Ljava/lang/String;
    return-void
.end method
