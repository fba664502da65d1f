#!/usr/bin/python3
"""A small Hardware Dev Center signing client, written the way public Python tools for this API are: a token from
Entra ID, hand-written minimal JSON bodies, the upload through the Azure Storage SDK, commit, poll, download.

It knows nothing of hwdash. It talks to the live service by default; point it elsewhere by changing hosts only:
  HDC_API_BASE          (default https://manage.devcenter.microsoft.com/v2.0/my/hardware)
  AZURE_AUTHORITY_HOST  (default https://login.microsoftonline.com)
  REQUESTS_CA_BUNDLE    (requests' own variable, for a private CA)
Credentials: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET. Package: first argument.
HDC_TOKEN_VIA=azure-identity takes the token with azure.identity's ClientSecretCredential instead of a plain POST.
HDC_PRODUCT_ID reuses a product instead of creating one.

Prints one line `RESULT {json}` on success. A refused request prints `REFUSED <method> <path> <status> <body>` on
stderr and exits 3.
"""
import json
import os
import sys
import time

import requests
from azure.storage.blob import BlobClient

API = os.environ.get("HDC_API_BASE", "https://manage.devcenter.microsoft.com/v2.0/my/hardware").rstrip("/")
AUTHORITY = os.environ.get("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com").rstrip("/")
RESOURCE = "https://manage.devcenter.microsoft.com"


def get_token():
    tenant = os.environ["AZURE_TENANT_ID"]
    client_id = os.environ["AZURE_CLIENT_ID"]
    secret = os.environ["AZURE_CLIENT_SECRET"]
    if os.environ.get("HDC_TOKEN_VIA") == "azure-identity":
        from azure.identity import ClientSecretCredential
        # MSAL Python validates an authority host it does not know against login.microsoftonline.com; a private
        # authority needs that switched off (azure-identity 1.13 calls the switch instance_discovery).
        extra = {} if AUTHORITY == "https://login.microsoftonline.com" else {"instance_discovery": False}
        credential = ClientSecretCredential(tenant, client_id, secret, authority=AUTHORITY, **extra)
        return credential.get_token(RESOURCE + "/.default").token
    response = requests.post(
        "{}/{}/oauth2/v2.0/token".format(AUTHORITY, tenant),
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "scope": RESOURCE + "/.default"},
        timeout=60,
    )
    if response.status_code != 200:
        fail("POST", "/oauth2/v2.0/token", response)
    return response.json()["access_token"]


def fail(method, path, response):
    print("REFUSED {} {} {} {}".format(method, path, response.status_code, response.text[:500]), file=sys.stderr)
    sys.exit(3)


class Api:
    def __init__(self, token):
        self.session = requests.Session()
        self.session.headers.update({"Authorization": "Bearer " + token, "Accept": "application/json"})

    def call(self, method, path, body=None, expect=(200, 201, 202, 204)):
        kwargs = {"timeout": 60}
        if body is not None:
            kwargs["json"] = body
        elif method == "POST":
            # The commit page asks for an empty body with Content-Length: 0 and a JSON content type.
            kwargs["data"] = b""
            kwargs["headers"] = {"Content-Type": "application/json"}
        response = self.session.request(method, API + path, **kwargs)
        if response.status_code not in expect:
            fail(method, path, response)
        return response


def main():
    package = sys.argv[1]
    api = Api(get_token())

    product_id = os.environ.get("HDC_PRODUCT_ID")
    if product_id:
        product_id = int(product_id)
    else:
        # The fields a driver-signing tool sends: no announcementDate, no product types chosen.
        product = api.call("POST", "/products", {
            "productName": "Outside client (Python) " + time.strftime("%Y%m%d%H%M%S"),
            "testHarness": "Attestation",
            "deviceType": "internal",
            "requestedSignatures": ["WINDOWS_v100_X64_VB_FULL"],
            "selectedProductTypes": {},
        }).json()
        # Python's json keeps integers exact at any size, so the ID stays the ID.
        product_id = product["id"]

    submission = api.call("POST", "/products/{}/submissions".format(product_id), {"name": "Outside client submission", "type": "initial"}).json()
    submission_id = submission["id"]
    upload_url = next(item["url"] for item in submission["downloads"]["items"] if item["type"].lower() == "initialpackage")

    with open(package, "rb") as data:
        BlobClient.from_blob_url(upload_url).upload_blob(data, overwrite=True)

    api.call("POST", "/products/{}/submissions/{}/commit".format(product_id, submission_id))

    deadline = time.time() + 120
    while True:
        current = api.call("GET", "/products/{}/submissions/{}".format(product_id, submission_id)).json()
        status = current.get("workflowStatus") or {}
        if str(status.get("state", "")).lower() == "failed":
            print("FAILED {}".format(json.dumps(status)), file=sys.stderr)
            sys.exit(4)
        signed = [item["url"] for item in (current.get("downloads") or {}).get("items", []) if item["type"].lower() == "signedpackage"]
        if signed:
            break
        if time.time() > deadline:
            print("TIMEOUT {}".format(json.dumps(status)), file=sys.stderr)
            sys.exit(5)
        time.sleep(0.2)

    if current["id"] != submission_id or current["productId"] != product_id:
        print("ID MISMATCH {} {} {} {}".format(current["id"], submission_id, current["productId"], product_id), file=sys.stderr)
        sys.exit(6)

    download = requests.get(signed[0], timeout=60)
    download.raise_for_status()
    print("RESULT " + json.dumps({
        "productId": str(product_id),
        "submissionId": str(submission_id),
        "signedPackageBytes": len(download.content),
        "signedPackageMagic": download.content[:2].decode("latin-1"),
        "step": status.get("currentStep"),
    }))


if __name__ == "__main__":
    main()
