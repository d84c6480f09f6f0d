def test_login_screen_renders(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "ろうきん賃金控除事務支援システムログイン画面" in page.get_data(as_text=True)
