# The web host: UI, REST API, SignalR hub. In compose it runs no trials (NasPlatform__Worker__InProcess=false).
# Build from the repository root: docker build -f docker/web.Dockerfile -t nasplatform-web .
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/NasPlatform.Web -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble
# curl for the health check
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_URLS=http://+:8080 \
    NasPlatform__DataPath=/data
# The data volume is created from this folder, so the non-root user owns it.
RUN mkdir -p /data && chown app:app /data
VOLUME /data
EXPOSE 8080
USER app
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s CMD curl -fs http://localhost:8080/readyz || exit 1
ENTRYPOINT ["dotnet", "NasPlatform.Web.dll"]
