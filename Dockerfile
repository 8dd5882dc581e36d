FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir . || true
COPY . .
RUN pip install --no-cache-dir -e . && useradd --create-home ipp && chown -R ipp /app
USER ipp
EXPOSE 8000
