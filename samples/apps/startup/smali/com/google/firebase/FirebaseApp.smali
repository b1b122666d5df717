.class public Lcom/google/firebase/FirebaseApp;
.super Ljava/lang/Object;
.source "FirebaseApp.java"

# Stand-in: reads the hardware serial number when initialised.

.method public static initializeApp(Landroid/content/Context;)V
    .registers 2
    sget-object v0, Landroid/os/Build;->SERIAL:Ljava/lang/String;
    return-void
.end method
