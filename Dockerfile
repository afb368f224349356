FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY memory_service memory_service
COPY retrieval retrieval
COPY graph graph
COPY agents agents
COPY migrations migrations
COPY tests tests
RUN pip install --no-cache-dir "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu \
    && pip install --no-cache-dir .
ENV MEMORY_DATA_DIR=/data MEMORY_HOST=0.0.0.0
EXPOSE 8080
CMD ["memory-service", "serve"]
