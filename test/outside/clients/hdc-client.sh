#!/usr/bin/env bash
# A Hardware Dev Center signing client in curl, written the way shell scripts for this API are: the documented v1
# token request (resource=), hand-written minimal JSON, the upload as a plain Put Blob, commit, poll, download.
#
# It knows nothing of hwdash and talks to the live service by default; point it elsewhere by changing hosts only:
#   HDC_API_BASE (default https://manage.devcenter.microsoft.com/v2.0/my/hardware)
#   AZURE_AUTHORITY_HOST (default https://login.microsoftonline.com)
#   CA_BUNDLE (optional: passed to curl --cacert, for a private CA)
# Credentials: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET. Package: $1. HDC_PRODUCT_ID reuses a product.
#
# jq reads numbers as doubles and rounds IDs above 2^53, so IDs are cut out of the raw JSON as text; jq only reads
# strings (URLs, states).
# Prints `RESULT {json}` on success; a refused request prints `REFUSED <method> <path> <status> <body>` on stderr, exit 3.
set -euo pipefail

API="${HDC_API_BASE:-https://manage.devcenter.microsoft.com/v2.0/my/hardware}"
AUTHORITY="${AZURE_AUTHORITY_HOST:-https://login.microsoftonline.com}"
PACKAGE="$1"
CURL=(curl -sS --max-time 60)
if [ -n "${CA_BUNDLE:-}" ]; then CURL+=(--cacert "$CA_BUNDLE"); fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# call METHOD PATH [JSON]: the body goes to $WORK/body, the status is echoed; anything but 2xx is a refusal.
call() {
  local method="$1" path="$2" status
  local args=(-X "$method" -H "Authorization: Bearer $TOKEN" -H 'Accept: application/json' -o "$WORK/body" -w '%{http_code}')
  if [ $# -ge 3 ]; then
    args+=(-H 'Content-Type: application/json' --data-binary "$3")
  elif [ "$method" = POST ]; then
    args+=(-H 'Content-Type: application/json' -H 'Content-Length: 0')
  fi
  status="$("${CURL[@]}" "${args[@]}" "$API$path")"
  if [ "${status:0:1}" != 2 ]; then
    echo "REFUSED $method $path $status $(head -c 500 "$WORK/body")" >&2
    exit 3
  fi
}

# first_id NAME: the first "NAME": <digits> of the last body, as text.
first_id() {
  grep -oE "\"$1\"[[:space:]]*:[[:space:]]*[0-9]+" "$WORK/body" | head -n 1 | grep -oE '[0-9]+$'
}

# The token, as the docs show it: the v1 endpoint with resource=.
status="$("${CURL[@]}" -X POST -o "$WORK/token" -w '%{http_code}' "$AUTHORITY/$AZURE_TENANT_ID/oauth2/token" \
  --data-urlencode grant_type=client_credentials \
  --data-urlencode "client_id=$AZURE_CLIENT_ID" \
  --data-urlencode "client_secret=$AZURE_CLIENT_SECRET" \
  --data-urlencode resource=https://manage.devcenter.microsoft.com)"
if [ "$status" != 200 ]; then
  echo "REFUSED POST /oauth2/token $status $(jq -r .error_description "$WORK/token" | head -n 1)" >&2
  exit 3
fi
TOKEN="$(jq -r .access_token "$WORK/token")"

if [ -n "${HDC_PRODUCT_ID:-}" ]; then
  PRODUCT_ID="$HDC_PRODUCT_ID"
else
  call POST /products '{"productName":"Outside client (curl)","testHarness":"Attestation","deviceType":"internal","requestedSignatures":["WINDOWS_v100_X64_VB_FULL"],"selectedProductTypes":{}}'
  PRODUCT_ID="$(first_id id)"
fi

call POST "/products/$PRODUCT_ID/submissions" '{"name":"Outside client submission","type":"initial"}'
SUBMISSION_ID="$(first_id id)"
UPLOAD_URL="$(jq -r '.downloads.items[] | select(.type | ascii_downcase == "initialpackage") | .url' "$WORK/body")"

status="$("${CURL[@]}" -X PUT -H 'x-ms-blob-type: BlockBlob' -H 'Content-Type: application/octet-stream' --data-binary "@$PACKAGE" -o "$WORK/upload" -w '%{http_code}' "$UPLOAD_URL")"
if [ "$status" != 201 ]; then echo "REFUSED PUT (blob) $status $(head -c 300 "$WORK/upload")" >&2; exit 3; fi

call POST "/products/$PRODUCT_ID/submissions/$SUBMISSION_ID/commit"

deadline=$((SECONDS + 120))
while :; do
  call GET "/products/$PRODUCT_ID/submissions/$SUBMISSION_ID"
  state="$(jq -r '.workflowStatus.state // "" | ascii_downcase' "$WORK/body")"
  if [ "$state" = failed ]; then echo "FAILED $(jq -c .workflowStatus "$WORK/body")" >&2; exit 4; fi
  SIGNED_URL="$(jq -r '[.downloads.items[]? | select(.type | ascii_downcase == "signedpackage") | .url][0] // ""' "$WORK/body")"
  if [ -n "$SIGNED_URL" ]; then break; fi
  if [ "$SECONDS" -gt "$deadline" ]; then echo "TIMEOUT $(jq -c .workflowStatus "$WORK/body")" >&2; exit 5; fi
  sleep 0.2
done

# The IDs the service sends back must be the IDs we sent, digit for digit.
if [ "$(first_id id)" != "$SUBMISSION_ID" ] || [ "$(first_id productId)" != "$PRODUCT_ID" ]; then
  echo "ID MISMATCH $(first_id id) $SUBMISSION_ID $(first_id productId) $PRODUCT_ID" >&2
  exit 6
fi
STEP="$(jq -r .workflowStatus.currentStep "$WORK/body")"

"${CURL[@]}" -f -o "$WORK/signed.zip" "$SIGNED_URL"
BYTES="$(wc -c < "$WORK/signed.zip" | tr -d ' ')"
MAGIC="$(head -c 2 "$WORK/signed.zip")"
printf 'RESULT {"productId":"%s","submissionId":"%s","signedPackageBytes":%s,"signedPackageMagic":"%s","step":"%s"}\n' \
  "$PRODUCT_ID" "$SUBMISSION_ID" "$BYTES" "$MAGIC" "$STEP"
