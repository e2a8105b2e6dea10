% rebase('base.tpl', title='Log in')
<h1>Log in</h1>
<form method="post" action="/login" class="card">
  <input type="hidden" name="login_token" value="{{login_token}}">
  <label for="name">Account name</label>
  <input id="name" name="name" value="{{name}}" autocomplete="username" required maxlength="64">
  % if errors.get('name'):
  <p class="error" id="name-error">{{errors['name']}}</p>
  % end
  <label for="password">Web password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  % if errors.get('password'):
  <p class="error" id="password-error">{{errors['password']}}</p>
  % end
  <button type="submit">Log in</button>
</form>
