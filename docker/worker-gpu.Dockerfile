# A GPU worker: the CUDA TorchSharp backend (-p:TorchBackend=cuda -> TorchSharp-cuda-linux, whose
# libtorch carries its own CUDA libraries) on NVIDIA's CUDA base; needs the NVIDIA container toolkit
# on the host (docker run --gpus all). Serves the "cuda" queue: searches with targetDevice "cuda"
# train and measure latency here.
# Build from the repository root: docker build -f docker/worker-gpu.Dockerfile -t nasplatform-worker-gpu .
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/NasPlatform.Worker -c Release -p:TorchBackend=cuda -o /app

FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl libicu74 procps \
    && curl -fsSL https://dot.net/v1/dotnet-install.sh -o /tmp/dotnet-install.sh \
    && bash /tmp/dotnet-install.sh --channel 10.0 --runtime aspnetcore --install-dir /usr/share/dotnet \
    && ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet && rm -rf /var/lib/apt/lists/* /tmp/dotnet-install.sh
WORKDIR /app
COPY --from=build /app .
ENV NasPlatform__DataPath=/data \
    NasPlatform__Worker__DeviceClass=cuda \
    NasPlatform__Worker__TorchDevice=cuda \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
VOLUME /data
HEALTHCHECK --interval=30s --timeout=5s CMD pgrep -f NasPlatform.Worker.dll >/dev/null || exit 1
ENTRYPOINT ["dotnet", "NasPlatform.Worker.dll"]
