FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY requirements/service.lock requirements/service.lock
COPY memory_service memory_service
COPY retrieval retrieval
COPY graph graph
COPY agents agents
COPY migrations migrations
COPY tests tests
# The reviewed lock, hashes checked; torch's CPU wheel comes from PyTorch's CPU index.
RUN pip install --no-cache-dir --require-hashes -r requirements/service.lock \
        --extra-index-url https://download.pytorch.org/whl/cpu \
    && pip install --no-cache-dir --no-deps --no-build-isolation .
ENV MEMORY_DATA_DIR=/data MEMORY_HOST=0.0.0.0
EXPOSE 8080
CMD ["memory-service", "serve"]
