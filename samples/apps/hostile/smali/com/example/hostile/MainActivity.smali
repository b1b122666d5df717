.class public Lcom/example/hostile/MainActivity;
.super Landroid/app/Activity;
.source "MainActivity.java"

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 2
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-static {}, Lcom/example/hostile/MainActivity;->endpoint()Ljava/lang/String;
    return-void
.end method

.method public static endpoint()Ljava/lang/String;
    .registers 1
    const-string v0, "http://evil.example.net/p?q=<script>alert(1)</script>\"onerror=alert(1)"
    return-object v0
.end method

.method public static contacts()Ljava/lang/String;
    .registers 1
    const-string v0, "content://com.android.contacts/contacts"
    return-object v0
.end method
