% rebase('base.tpl', title=_('Connect two numbers'))
<h1>{{_("Connect two numbers")}}</h1>
<p>{{_("The box calls leg A first. When A answers, the box tells A whom they are being connected to, then calls leg B and joins the two calls. Leg A sees the box's own SIM number as the caller, not B's number: a SIM cannot show another number.")}}</p>
% if errors.get('form'):
<p class="error" id="form-error">{{errors['form']}}</p>
% end
<form method="post" action="/connect" class="card">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label for="a">{{_("Leg A (called first)")}}</label>
  <input id="a" name="a" value="{{a}}" inputmode="tel" autocomplete="tel" maxlength="40" required>
  % if errors.get('a'):
  <p class="error" id="a-error">{{errors['a']}}</p>
  % end
  <label for="b">{{_("Leg B")}}</label>
  <input id="b" name="b" value="{{b}}" inputmode="tel" maxlength="40" required>
  % if errors.get('b'):
  <p class="error" id="b-error">{{errors['b']}}</p>
  % end
  <button type="submit" id="start">{{_("Start the call")}}</button>
</form>
