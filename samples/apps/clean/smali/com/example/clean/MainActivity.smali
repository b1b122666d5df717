.class public Lcom/example/clean/MainActivity;
.super Landroid/app/Activity;
.source "MainActivity.java"

# Touches no personal information. It does read a Settings.Secure key, but not a catalog one
# ("default_input_method"), and it logs the word "getDeviceId" without any reflection: neither
# may be reported.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 4
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-virtual {p0}, Lcom/example/clean/MainActivity;->getContentResolver()Landroid/content/ContentResolver;
    move-result-object v0
    const-string v1, "default_input_method"
    invoke-static {v0, v1}, Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    const-string v0, "clean"
    const-string v1, "no call to getDeviceId here"
    invoke-static {v0, v1}, Landroid/util/Log;->i(Ljava/lang/String;Ljava/lang/String;)I
    return-void
.end method

.method public static sum(I)I
    .registers 3
    const/4 v0, 0x0
    sparse-switch p0, :sparse
    goto :done
    :one
    const/4 v0, 0x1
    goto :done
    :sparse
    .sparse-switch
        0x1 -> :one
        0x3e8 -> :one
    .end sparse-switch
    :done
    return v0
.end method
