"""The staff pages in a real browser (Debian's chromium and chromium-driver, driven by selenium): log in, change
the provisional password, open a dossier, download an attachment, toggle membership, CSRF refused without token."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import httpx

from tests.server.conftest import Device, ServerProcess, fill, wait_for


def test_staff_log_in_open_a_dossier_download_and_csrf(
    browser, server: ServerProcess, device: Device, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    photo = os.urandom(4000)
    device.upload(photo)
    dossier = device.dossier()
    dossier["actions"][0]["title"] = "<script>alert('x')</script> & « ateliers »"
    sha = hashlib.sha256(photo).hexdigest()
    dossier["actions"][0]["attachments"] = [{"sha256": sha, "size": 4000, "media_type": "image/jpeg", "name": "p.jpg"}]
    assert device.submit(device.submission(dossier)).status_code == 201
    email = f"equipe-{device.code}@villes-internet.example"
    password = server.cli("add-staff", "--email", email).stdout.splitlines()[-1]
    driver = browser

    driver.get(f"{server.url}/equipe/")
    assert driver.current_url.endswith("/equipe/connexion")
    fill(driver, "email", email)
    fill(driver, "password", "mauvais mot de passe")
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(
        driver, lambda d: "Adresse ou mot de passe incorrect" in d.find_element(By.CSS_SELECTOR, "[role=alert]").text
    )
    fill(driver, "email", email)
    fill(driver, "password", password)
    driver.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    wait_for(driver, lambda d: d.current_url.endswith("/equipe/mot-de-passe"))  # provisional: change it first
    fill(driver, "current", password)
    fill(driver, "new", "un mot de passe assez long")
    driver.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    wait_for(driver, lambda d: d.title.startswith("Collectivités"))
    cookie = driver.get_cookie("arobase_equipe")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"

    # CSRF: the membership form without its token is refused, and nothing changes.
    row = driver.find_element(By.XPATH, f"//tr[td[1][text()='{device.code}']]")
    driver.execute_script("arguments[0].querySelector('input[name=csrf_token]').remove()", row)
    row.find_element(By.TAG_NAME, "button").click()
    wait_for(driver, lambda d: "jeton anti-falsification" in d.find_element(By.CSS_SELECTOR, "[role=alert]").text)
    driver.get(f"{server.url}/equipe/")
    row = driver.find_element(By.XPATH, f"//tr[td[1][text()='{device.code}']]")
    assert "Marquer adhérente" in row.text
    row.find_element(By.TAG_NAME, "button").click()
    wait_for(
        driver, lambda d: "Retirer l'adhésion" in d.find_element(By.XPATH, f"//tr[td[1][text()='{device.code}']]").text
    )
    row = driver.find_element(By.XPATH, f"//tr[td[1][text()='{device.code}']]")
    assert device.http.get("/api/v1/account").json()["membership"]["member"] is True

    # One dossier in full; typed text shown as text, never run as markup.
    row.find_element(By.PARTIAL_LINK_TEXT, "révision 1").click()
    wait_for(driver, lambda d: d.title.startswith("Dossier"))
    assert device.name in driver.find_element(By.TAG_NAME, "h1").text
    assert driver.find_element(By.ID, "action-1").text == "1. " + dossier["actions"][0]["title"]
    assert "Couverture par thème" in driver.page_source
    driver.find_element(By.LINK_TEXT, "p.jpg").click()
    target = tmp_path / "telechargements" / "p.jpg"
    deadline = time.monotonic() + 40
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert target.read_bytes() == photo

    # The receipts page and the CSV of the latest submissions, with the same session.
    driver.get(f"{server.url}/equipe/accuses")
    assert device.name in driver.page_source
    jar = {"arobase_equipe": cookie["value"]}
    csv = httpx.get(f"{server.url}/equipe/editions/2019/derniers-envois.csv", cookies=jar)
    assert csv.status_code == 200 and device.code in csv.content.decode("utf-8-sig")
    assert httpx.get(f"{server.url}/equipe/editions/2019/derniers-envois.csv").status_code == 303  # signed out
