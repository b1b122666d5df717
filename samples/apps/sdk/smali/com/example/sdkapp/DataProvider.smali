.class public Lcom/example/sdkapp/DataProvider;
.super Ljava/lang/Object;
.source "DataProvider.java"

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method
