.class public Lcom/example/startapp/DeadCode;
.super Ljava/lang/Object;
.source "DeadCode.java"

# Nothing in the app calls, creates or names this class: its read is present but unreachable.

.method public static readOperator()Ljava/lang/String;
    .registers 1
    const/4 v0, 0x0
    invoke-virtual {v0}, Landroid/telephony/TelephonyManager;->getSimOperator()Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method
