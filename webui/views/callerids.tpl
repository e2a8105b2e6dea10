% rebase('base.tpl', title=_('Caller IDs'))
<h1>{{_("Authorized caller IDs")}}</h1>
<p>{{_("Calls and texts from these numbers reach your account without the PIN.")}}</p>
% if notice:
<p class="notice" id="notice">{{notice}}</p>
% end
% if errors.get('remove'):
<p class="error" id="remove-error">{{errors['remove']}}</p>
% end
% if caller_ids:
<table id="callerids">
<thead><tr><th>{{_("Number")}}</th><th></th></tr></thead>
<tbody>
% for item in caller_ids:
<tr>
  <td>{{item['number']}}</td>
  <td>
    <form method="post" action="/callerids/remove" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}">
      <input type="hidden" name="number" value="{{item['number']}}">
      <button type="submit" class="link">{{_("Remove")}}</button>
    </form>
  </td>
</tr>
% end
</tbody>
</table>
% else:
<p id="no-callerids">{{_("None yet.")}}</p>
% end
% for code in codes:
<form method="post" action="/callerids/verify" class="card code">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="code_id" value="{{code.id}}">
  <label for="code{{code.id}}">{{_("Code texted to {number}").format(number=code.number)}}</label>
  <input id="code{{code.id}}" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required>
  % if errors.get('code%d' % code.id):
  <p class="error" id="code{{code.id}}-error">{{errors['code%d' % code.id]}}</p>
  % end
  <button type="submit">{{_("Confirm")}}</button>
</form>
% end
% if errors.get('code'):
<p class="error" id="code-error">{{errors['code']}}</p>
% end
<h2>{{_("Add a number")}}</h2>
<form method="post" action="/callerids" class="card">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label for="number">{{_("Phone number")}}</label>
  <input id="number" name="number" value="{{number}}" inputmode="tel" autocomplete="tel" maxlength="40" required>
  % if errors.get('number'):
  <p class="error" id="number-error">{{errors['number']}}</p>
  % end
  <p class="hint">{{_("The box texts a 6-digit code to that number; type it here to prove the phone is yours.")}}</p>
  <button type="submit">{{_("Text me a code")}}</button>
</form>
