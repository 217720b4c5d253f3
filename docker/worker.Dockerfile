# A CPU worker: runs trials, final trainings and control jobs from the shared job storage.
# Build from the repository root: docker build -f docker/worker.Dockerfile -t nasplatform-worker .
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/NasPlatform.Worker -c Release -o /app

# The worker uses ASP.NET Core's shared framework (options, hosting), so the aspnet runtime image.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble
WORKDIR /app
COPY --from=build /app .
ENV NasPlatform__DataPath=/data \
    NasPlatform__Worker__DeviceClass=cpu \
    NasPlatform__Worker__TorchDevice=cpu
# The data volume is created from this folder, so the non-root user owns it.
RUN mkdir -p /data && chown app:app /data
VOLUME /data
USER app
# Alive while its heartbeat process runs; the platform shows it online from the heartbeat in the database.
HEALTHCHECK --interval=30s --timeout=5s CMD pgrep -f NasPlatform.Worker.dll >/dev/null || exit 1
ENTRYPOINT ["dotnet", "NasPlatform.Worker.dll"]
