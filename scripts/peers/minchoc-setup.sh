#!/bin/sh
# Sets up minchoc (PyPI, a real NuGet v2 server on Django) for ccm-upgrade's peer tests and CI.
# Creates a venv and a Django site under $CCM_PEERS_DIR (default: <checkout>/.build-peers, git-ignored) with a
# template SQLite database holding one superuser and its API key (written to minchoc/apikey).
# The tests copy the template database and start `runserver` on a free 127.0.0.1 port themselves;
# scripts/peers/minchoc-start.sh starts one by hand. Recipe and quirks: ../shared/reference/nuget.md section 7.3.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
peers=${CCM_PEERS_DIR:-$here/.build-peers}
dir=$peers/minchoc
mkdir -p "$dir"
cd "$dir"
if [ ! -x venv/bin/python ]; then
    python3 -m venv venv
fi
venv/bin/pip install --quiet --disable-pip-version-check "minchoc==0.2.0" "Django>=5.2,<6"
if [ ! -f manage.py ]; then
    venv/bin/django-admin startproject site1 .
fi
# Settings: minchoc installed, deletion allowed, database and package folder overridable per test run.
if ! grep -q "ccm-upgrade peer settings" site1/settings.py; then
    cat >> site1/settings.py <<'PY'

# ccm-upgrade peer settings
import os as _os
INSTALLED_APPS += ['minchoc']
ALLOW_PACKAGE_DELETION = True
MEDIA_ROOT = _os.environ.get('MINCHOC_MEDIA', str(BASE_DIR / 'packages'))
DATABASES['default']['NAME'] = _os.environ.get('MINCHOC_DB', str(BASE_DIR / 'template.sqlite3'))
ALLOWED_HOSTS = ['127.0.0.1', 'localhost']
PY
    cat >> site1/urls.py <<'PY'

# ccm-upgrade peer routes
from django.urls import include
urlpatterns += [path('api/v2/', include('minchoc.urls'))]
PY
fi
rm -f template.sqlite3
venv/bin/python manage.py migrate --noinput >/dev/null
DJANGO_SUPERUSER_PASSWORD=ccm-upgrade-peer venv/bin/python manage.py createsuperuser --noinput \
    --username admin --email admin@example.com >/dev/null
venv/bin/python manage.py shell -c \
    "from minchoc.models import NugetUser; print(NugetUser.objects.first().token)" | tail -n 1 > apikey
echo "minchoc ready in $dir (API key in $dir/apikey)"
